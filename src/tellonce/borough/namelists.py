"""The names of the synthetic borough's communities, and the spelling variants that make
one agency's record of a child differ from another's.

Owns: given names (by sex) and surnames for each community, the DfE ethnicity mix of a
large outer London borough and which communities each ethnicity draws names from,
nickname and transliteration variant groups, similar-name pairs for twins, and street
and place names. White British names come from Faker's en_GB provider lists, read once
at import: calling Faker per person is far too slow for a borough.

Everything here is plain data; the generator does the sampling with its own seeded
random number generator, so the borough is the same for the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate

from faker.providers.person.en_GB import Provider as _FakerEnGb

from tellonce.people.models import Ethnicity


@dataclass(frozen=True)
class Community:
    """A name pool: who the borough's families are, as far as names go."""

    key: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    surname_weights: tuple[float, ...] = ()
    # Children's given names, where they differ from the parents' generation.
    young_male: tuple[str, ...] = ()
    young_female: tuple[str, ...] = ()
    #: A married woman often takes her husband's surname (a birth name to record).
    wives_take_surname: bool = True
    #: Agencies sometimes swap given and family name (Somali, Chinese, Arabic naming).
    name_order_confusable: bool = False
    middle_name_rate: float = 0.3
    #: Running totals of `surname_weights`: sampling by them needs these once, not per
    #: person.
    cum_surname_weights: tuple[float, ...] = field(default=(), init=False, compare=False)

    def __post_init__(self) -> None:
        if self.surname_weights:
            object.__setattr__(self, "cum_surname_weights", tuple(accumulate(self.surname_weights)))

    def given_names(self, sex: str, *, child: bool) -> tuple[str, ...]:
        if sex == "M":
            return self.young_male if child and self.young_male else self.male
        return self.young_female if child and self.young_female else self.female


def _community(key: str, male: str, female: str, surnames: str, **kw: object) -> Community:
    return Community(
        key=key,
        male=tuple(male.split()),
        female=tuple(female.split()),
        surnames=tuple(surnames.split()),
        **kw,  # type: ignore[arg-type]
    )


_FAKER_SURNAMES = tuple(_FakerEnGb.last_names)
_FAKER_SURNAME_WEIGHTS = tuple(float(w) for w in _FakerEnGb.last_names.values())

BRITISH = Community(
    key="british",
    male=tuple(_FakerEnGb.first_names_male),
    female=tuple(_FakerEnGb.first_names_female),
    surnames=_FAKER_SURNAMES,
    surname_weights=_FAKER_SURNAME_WEIGHTS,
    young_male=tuple(
        """Oliver George Harry Noah Jack Leo Arthur Muhammad Oscar Charlie Jacob Thomas
        Henry William Freddie Alfie Theo Archie Joshua James Isaac Alexander Lucas Ethan
        Max Finley Logan Teddy Samuel Daniel Joseph Edward Sebastian Harrison Dylan Riley
        Tommy Albie Reggie Ronnie Toby Jude Louis Mason Elijah Rory Benjamin Frankie
        Ollie Jake Ryan Kai Tyler Liam Callum Jayden Alex Bobby""".split()
    ),
    young_female=tuple(
        """Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Willow Freya
        Florence Emily Ella Poppy Evie Elsie Charlotte Evelyn Sophie Daisy Sienna Phoebe
        Ruby Millie Harper Matilda Alice Maya Esme Hallie Zara Ellie Layla Chloe Lola
        Ruby Jessica Scarlett Eva Erin Holly Imogen Lucy Bella Katie Megan Hannah Abigail
        Maisie Niamh Amber Eleanor Molly Libby Summer Elizabeth Katherine""".split()
    ),
    middle_name_rate=0.65,
)

IRISH = _community(
    "irish",
    """Sean Patrick Conor Ciaran Declan Liam Niall Eoin Cian Darragh Fionn Oisin Padraig
    Ronan Cormac Aidan Kevin Brendan Colm Dermot Eamon Killian Michael John Jack Daniel""",
    """Aoife Niamh Siobhan Ciara Roisin Orla Saoirse Caoimhe Sinead Aisling Grainne Clodagh
    Maeve Mairead Emer Deirdre Fiona Bridget Kathleen Mary Sarah Erin Molly""",
    """Murphy Kelly O'Sullivan Walsh O'Brien Byrne Ryan O'Connor O'Neill O'Reilly Doyle
    McCarthy Gallagher Doherty Kennedy Lynch Murray Quinn Moore McLoughlin O'Carroll
    Connolly Daly Dunne Brennan Burke Collins Fitzgerald Nolan Keane Flanagan""",
    middle_name_rate=0.5,
)

TRAVELLER = _community(
    "traveller",
    """John Patrick Michael Martin Thomas James Jimmy Paddy Johnny Christy Mikey Francie
    Joe Willie Tom Bernard""",
    """Mary Bridget Margaret Kathleen Ellen Nora Julie Anne Shannon Chelsea Courtney Winnie
    Josie Mags Shauna""",
    """Ward McDonagh Connors Doherty Joyce Maughan Quinn Sweeney Stokes McGinley Delaney
    Cash Collins O'Donnell Reilly Purcell Mongan Keenan""",
    middle_name_rate=0.2,
)

POLISH = _community(
    "polish",
    """Jakub Kacper Szymon Filip Jan Antoni Wojciech Mateusz Bartosz Michał Piotr Tomasz
    Krzysztof Paweł Łukasz Marcin Aleksander Adam Dawid Kamil Oskar Igor Stanisław""",
    """Zuzanna Julia Maja Hanna Lena Zofia Amelia Oliwia Wiktoria Aleksandra Natalia
    Katarzyna Agnieszka Małgorzata Anna Magdalena Joanna Monika Karolina Ewa Marta
    Weronika Gabriela""",
    """Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński
    Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski
    Grabowski Nowakowski Pawłowski Michalski Zając Król Wieczorek""",
    middle_name_rate=0.25,
)

ROMANIAN = _community(
    "romanian",
    """Andrei Alexandru Ionuț Mihai Ștefan Gabriel Florin Cristian Adrian Bogdan Marius
    Vasile Daniel David Luca Matei Darius Răzvan Sorin Constantin""",
    """Maria Elena Ioana Andreea Alexandra Mihaela Cristina Gabriela Daniela Florentina
    Denisa Bianca Sofia Ana Irina Larisa Roxana Ștefania Alina Raluca""",
    """Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu Rusu
    Munteanu Constantin Lungu Moldovan Dinu Mihai Tudor Bălan Marin Lazăr Florea""",
    middle_name_rate=0.2,
)

ROMA = _community(
    "roma",
    """Ion Florin Marian Costel Nicu Sandu Gheorghe Dorin Fănel Ionel Daniel Mario
    Robert Denis David Samuel""",
    """Maria Florica Elena Mirela Loredana Ramona Lăcrămioara Ionela Denisa Bianca Anisia
    Carmen Alina Sabina""",
    """Stănescu Lăcătuș Căldărar Rudaru Ursu Mihai Dinca Pavel Radu Stoica Zlătaru Lingurar
    Caraiman Bumbaru""",
    middle_name_rate=0.1,
)

PORTUGUESE = _community(
    "portuguese",
    """João Tiago Rodrigo Diogo Miguel Pedro Rafael Francisco Gonçalo Martim Duarte Bruno
    Ricardo Nuno Luís""",
    """Maria Beatriz Leonor Matilde Inês Carolina Mariana Ana Sofia Rita Catarina Joana
    Marta Raquel Bárbara""",
    """Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Jesus Sousa Fernandes
    Gonçalves Gomes Lopes Marques Alves Almeida Ribeiro Pinto Carvalho""",
    middle_name_rate=0.6,
)

INDIAN = _community(
    "indian",
    """Arjun Aarav Rohan Vihaan Krish Dev Aryan Ishaan Ravi Sanjay Deepak Rajesh Vikram
    Amit Anil Nikhil Harjit Gurpreet Harpreet Jaspreet Manpreet Sukhdeep Jasvinder Ajay
    Kiran Rahul Sunil Suresh Mohinder Hardeep Navdeep Jatinder""",
    """Priya Anjali Aanya Diya Isha Kavya Meera Neha Pooja Riya Sana Shreya Simran Sonia
    Anika Divya Nisha Ananya Jasleen Harleen Gurleen Manjit Rupinder Parminder Kiran
    Reena Sunita Asha Geeta Lakshmi Navneet""",
    """Patel Shah Singh Kaur Sharma Gupta Kumar Mistry Parmar Chauhan Joshi Mehta Desai
    Pandya Thakkar Solanki Gill Sandhu Sidhu Dhillon Bains Grewal Sohal Virdi Nair Iyer
    Reddy Rao Pillai Chopra Malhotra Kapoor""",
    middle_name_rate=0.3,
)

PAKISTANI = _community(
    "pakistani",
    """Muhammad Mohammed Ali Hamza Ibrahim Yusuf Zain Ayaan Rayyan Haris Bilal Umar Usman
    Imran Tariq Asif Kashif Shahid Faisal Adnan Irfan Zubair Waqas Zeeshan Arslan Hassan
    Hussain Abdullah Ahmed Amir""",
    """Aisha Fatima Maryam Zainab Hafsa Khadija Amna Iqra Mehreen Sana Noor Zara Anaya
    Inaya Alishba Eman Hira Nadia Rabia Saima Shabana Nazia Samina Rubina Ayesha Sadia
    Bushra Uzma Farah""",
    """Khan Hussain Ahmed Ali Iqbal Mahmood Akhtar Butt Malik Shah Rashid Aslam Anwar
    Chaudhry Qureshi Siddiqui Javed Sheikh Raja Mirza Hussain Bibi Saleem Nawaz Rehman
    Mohammed Latif Hanif""",
    wives_take_surname=False,
    middle_name_rate=0.2,
)

BANGLADESHI = _community(
    "bangladeshi",
    """Mohammed Muhammad Abdul Rahim Karim Sayed Shahid Jamal Rashid Faruk Tanvir Nayeem
    Rayhan Sami Ayaan Zayan Ishaq Ismail Yahya Tahmid Rafi Sadik Imran Habib Saiful""",
    """Fatima Ayesha Nusrat Sumaiya Tasnim Farzana Nasima Rumana Shirin Jannat Sadia
    Tahmina Rokeya Maryam Amina Hafsa Inaya Safa Lamia Sabrina Nadia Halima""",
    """Begum Miah Rahman Uddin Islam Hossain Ahmed Ali Khatun Choudhury Chowdhury Hoque
    Hussain Alam Akter Bibi Sarkar Mahmud Karim Haque Sultana Talukdar""",
    wives_take_surname=False,
    middle_name_rate=0.3,
)

TAMIL = _community(
    "tamil",
    """Arun Karthik Sivakumar Rajan Suthan Tharshan Kajan Nirojan Prasanth Sanjeev Vimal
    Harish Dinesh Mathusan Abinash Kishore""",
    """Tharani Nithya Lakshmi Sharmila Kavitha Abirami Thushanthi Vithya Mathumitha Nila
    Janani Keerthana Anushya Piriya""",
    """Sivarajah Thevarajah Kanagaratnam Balasubramaniam Navaratnam Selvarajah Yogarajah
    Sinnathamby Rajaratnam Kumaran Ganeshan Murugesu Thurairajah Kandiah""",
    middle_name_rate=0.1,
)

AFGHAN = _community(
    "afghan",
    """Ahmad Mohammad Ali Omid Farid Hamid Jawad Karim Mustafa Nasir Rahim Sami Zabi
    Ahmadullah Bashir Habib Idris Yama""",
    """Fatima Zahra Mariam Nargis Parwana Shabnam Laila Mina Sara Farzana Habiba Nazanin
    Roya Sima Zarghona""",
    """Ahmadi Rahimi Karimi Hakimi Noori Popal Safi Sultani Wardak Zazai Hashimi Amiri
    Azizi Durrani Mohammadi Stanikzai""",
    wives_take_surname=False,
    name_order_confusable=True,
    middle_name_rate=0.05,
)

NIGERIAN = _community(
    "nigerian",
    """Oluwaseun Oluwatobi Olumide Adebayo Ayodele Babatunde Chukwuemeka Chidi Emeka
    Ikechukwu Nnamdi Obinna Tobenna Tunde Femi David Daniel Samuel Joshua Emmanuel
    Victor Israel Favour Precious Divine""",
    """Adaeze Chidinma Chiamaka Ngozi Nneka Oluwafunmilayo Funmilayo Folake Temitope
    Titilayo Adenike Blessing Esther Grace Deborah Precious Favour Comfort Miracle
    Oluwadamilola Damilola Ifeoma Amarachi Zainab""",
    """Adeyemi Okafor Okonkwo Adebayo Ogunleye Oladipo Olawale Eze Nwosu Obi Okeke
    Onyekachi Balogun Bello Ibrahim Adeleke Afolabi Akinola Ogunbiyi Oyelaran Nwachukwu
    Chukwu Okoro Uche Nwankwo""",
    middle_name_rate=0.7,
)

GHANAIAN = _community(
    "ghanaian",
    """Kwame Kwaku Kofi Kwabena Yaw Kwasi Kojo Nana Kwadwo Emmanuel Samuel Daniel
    Prince Ebenezer Joseph Isaac Michael Richard""",
    """Ama Akosua Abena Adwoa Afua Akua Yaa Efua Esi Adjoa Nana Abigail Gifty Mercy
    Priscilla Ruth Comfort Patience Sandra""",
    """Mensah Owusu Asante Boateng Osei Agyeman Appiah Amoah Acheampong Ofori Darko
    Addo Quaye Tetteh Ansah Badu Sarpong Adjei Frimpong Oppong""",
    middle_name_rate=0.5,
)

SOMALI = _community(
    "somali",
    """Abdi Abdirahman Abdullahi Ahmed Ali Hassan Hussein Ibrahim Ismail Mohamed
    Mohamud Mustafa Omar Osman Yusuf Yahya Farah Liban Mahad Bilal Hamza Khalid Suleiman
    Abdirizak Abdikarim""",
    """Amina Aisha Fadumo Fatima Hodan Hawa Ifrah Khadija Layla Maryam Nasra Sagal
    Sahra Sumaya Ubah Zamzam Hibo Idil Ayaan Asha Deeqa Ikran Muna Nimco""",
    """Abdi Ahmed Ali Hassan Hussein Ibrahim Ismail Mohamed Mohamud Omar Osman Yusuf
    Farah Warsame Jama Egal Aden Hirsi Nur Abdullahi Abdillahi Guled Duale Elmi Awale""",
    wives_take_surname=False,
    name_order_confusable=True,
    middle_name_rate=0.6,
)

CARIBBEAN = _community(
    "caribbean",
    """Marcus Jermaine Tyrone Andre Devon Leon Jerome Nathaniel Kareem Darnell Dwayne
    Winston Trevor Clive Delroy Errol Lloyd Junior Kyle Jamal Isaiah Elijah Micah Zion
    Malachi Josiah Reuben Tyrese Kai Jayden""",
    """Shanice Keisha Tanisha Aaliyah Jada Chantelle Monique Tia Simone Naomi Marcia
    Beverley Paulette Yvonne Sharon Janelle Kayla Nia Imani Amara Zuri Leah Tiana
    Destiny Jasmine Renee""",
    """Campbell Williams Brown Thompson Grant Francis Clarke Johnson Smith Reid Lewis
    Morgan Gordon Henry James Edwards Bailey Richards Walker Powell Stewart Samuels
    Douglas Bennett Forbes Dixon Charles Gayle""",
    middle_name_rate=0.55,
)

ARABIC = _community(
    "arabic",
    """Mohammed Ahmed Ali Omar Yusuf Ibrahim Khalid Hassan Hussein Mustafa Karim Tariq
    Ziad Adam Adnan Bilal Hamza Nasser Sami Rami Youssef Mahmoud Walid Fadi Jamal""",
    """Fatima Aisha Mariam Zainab Noor Layla Sara Huda Rana Rania Yasmin Salma Lina Dina
    Hala Amira Nadia Jana Reem Leen Malak Sana Hiba Shahd""",
    """Al-Hassan Al-Ahmad Haddad Khalil Mansour Nasser Saleh Hamdan Abbas Hussein Aziz
    Darwish Ibrahim Jaber Kassem Mahmoud Mustafa Qasim Rahman Said Shehadeh Yassin
    Zaki Al-Jabouri""",
    wives_take_surname=False,
    name_order_confusable=True,
    middle_name_rate=0.1,
)

CHINESE = _community(
    "chinese",
    """Wei Jun Hao Lei Jian Ming Yi Chen Kai Tian Yu Zhen Hong Bo Jie Daniel Ethan
    Ryan Kevin Jason""",
    """Li Mei Ying Xin Yan Jing Hui Fang Xiu Lan Na Ling Yue Xia Jia Emily Grace Chloe
    Vivian Michelle""",
    """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Lin Guo He Gao Luo
    Wong Chan Lee Lau Ng Cheung Leung""",
    wives_take_surname=False,
    name_order_confusable=True,
    middle_name_rate=0.15,
)

COMMUNITIES: dict[str, Community] = {
    c.key: c
    for c in (
        BRITISH,
        IRISH,
        TRAVELLER,
        POLISH,
        ROMANIAN,
        ROMA,
        PORTUGUESE,
        INDIAN,
        PAKISTANI,
        BANGLADESHI,
        TAMIL,
        AFGHAN,
        NIGERIAN,
        GHANAIAN,
        SOMALI,
        CARIBBEAN,
        ARABIC,
        CHINESE,
    )
}

#: Children by recorded ethnicity in a large outer London borough, roughly as the
#: school census shows them: about three in ten White British, large South Asian and
#: Black African communities, a growing Eastern European one.
ETHNICITY_MIX: tuple[tuple[str, float], ...] = (
    (Ethnicity.WBRI, 0.295),
    (Ethnicity.WIRI, 0.010),
    (Ethnicity.WIRT, 0.005),
    (Ethnicity.WROM, 0.010),
    (Ethnicity.WOTH, 0.110),
    (Ethnicity.MWBC, 0.030),
    (Ethnicity.MWBA, 0.020),
    (Ethnicity.MWAS, 0.030),
    (Ethnicity.MOTH, 0.040),
    (Ethnicity.AIND, 0.090),
    (Ethnicity.APKN, 0.070),
    (Ethnicity.ABAN, 0.030),
    (Ethnicity.AOTH, 0.050),
    (Ethnicity.BCRB, 0.040),
    (Ethnicity.BAFR, 0.100),
    (Ethnicity.BOTH, 0.020),
    (Ethnicity.CHNE, 0.010),
    (Ethnicity.OOTH, 0.040),
)

#: For each single-heritage ethnicity: the communities its families' names come from.
ETHNICITY_COMMUNITIES: dict[str, tuple[tuple[str, float], ...]] = {
    Ethnicity.WBRI: (("british", 1.0),),
    Ethnicity.WIRI: (("irish", 1.0),),
    Ethnicity.WIRT: (("traveller", 1.0),),
    Ethnicity.WROM: (("roma", 1.0),),
    Ethnicity.WOTH: (("polish", 0.45), ("romanian", 0.35), ("portuguese", 0.2)),
    Ethnicity.AIND: (("indian", 1.0),),
    Ethnicity.APKN: (("pakistani", 1.0),),
    Ethnicity.ABAN: (("bangladeshi", 1.0),),
    Ethnicity.AOTH: (("tamil", 0.5), ("afghan", 0.5)),
    Ethnicity.BCRB: (("caribbean", 1.0),),
    Ethnicity.BAFR: (("nigerian", 0.4), ("ghanaian", 0.25), ("somali", 0.35)),
    Ethnicity.BOTH: (("caribbean", 0.5), ("nigerian", 0.5)),
    Ethnicity.CHNE: (("chinese", 1.0),),
    Ethnicity.OOTH: (("arabic", 1.0),),
}

#: Mixed-heritage children: the two parents' ethnicities (either way round).
MIXED_PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    Ethnicity.MWBC: ((Ethnicity.WBRI, Ethnicity.BCRB),),
    Ethnicity.MWBA: ((Ethnicity.WBRI, Ethnicity.BAFR),),
    Ethnicity.MWAS: ((Ethnicity.WBRI, Ethnicity.AIND), (Ethnicity.WBRI, Ethnicity.APKN)),
    Ethnicity.MOTH: (
        (Ethnicity.WOTH, Ethnicity.BAFR),
        (Ethnicity.BCRB, Ethnicity.AIND),
        (Ethnicity.WBRI, Ethnicity.OOTH),
        (Ethnicity.WBRI, Ethnicity.CHNE),
        (Ethnicity.WOTH, Ethnicity.OOTH),
    ),
}

# Each group is the spellings one person's given name appears under in different
# agencies' records: a school writes the name a child is known by, a GP the registered
# one. Every name in a group can stand for every other.
NICKNAME_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "M": (
        ("John", "Jack", "Johnny"),
        ("William", "Will", "Bill", "Billy", "Liam"),
        ("Alexander", "Alex", "Xander"),
        ("Robert", "Rob", "Bobby", "Bob"),
        ("Thomas", "Tom", "Tommy"),
        ("James", "Jamie", "Jim"),
        ("Daniel", "Dan", "Danny"),
        ("Joseph", "Joe", "Joey"),
        ("Michael", "Mike", "Mikey"),
        ("Samuel", "Sam", "Sammy"),
        ("Benjamin", "Ben", "Benji"),
        ("Matthew", "Matt", "Mathew"),
        ("Christopher", "Chris"),
        ("Nicholas", "Nick"),
        ("Jonathan", "Jon"),
        ("Edward", "Ed", "Eddie", "Ted"),
        ("Charles", "Charlie"),
        ("Oliver", "Ollie"),
        ("Henry", "Harry"),
        ("Frederick", "Freddie", "Fred"),
        ("Alfred", "Alfie"),
        ("Archibald", "Archie"),
        ("Theodore", "Theo", "Teddy"),
        ("Stephen", "Steve", "Steven"),
        ("Anthony", "Tony", "Antony"),
        ("Richard", "Rick", "Richie"),
        ("Patrick", "Paddy", "Pat"),
        ("Nathaniel", "Nathan", "Nate"),
        ("Ronald", "Ronnie"),
        ("Reginald", "Reggie"),
        ("Francis", "Frankie", "Frank"),
        ("Jakub", "Kuba"),
        ("Wojciech", "Wojtek"),
        ("Aleksander", "Olek"),
        ("Chukwuemeka", "Emeka"),
        ("Olumide", "Mide"),
        ("Adebayo", "Bayo"),
        ("Babatunde", "Tunde"),
        ("Abdirahman", "Abdi"),
        ("Oluwaseun", "Seun"),
        ("Oluwatobi", "Tobi"),
        ("Oluwadamilola", "Damilola", "Dami"),
    ),
    "F": (
        ("Alexandra", "Alex", "Lexi"),
        ("Katherine", "Kate", "Katie", "Kathryn", "Catherine"),
        ("Elizabeth", "Beth", "Liz", "Lizzie", "Eliza"),
        ("Margaret", "Maggie", "Mags"),
        ("Charlotte", "Charlie", "Lottie"),
        ("Rebecca", "Becky"),
        ("Jessica", "Jess"),
        ("Victoria", "Vicky", "Tori"),
        ("Abigail", "Abbie", "Abby"),
        ("Isabella", "Bella", "Izzy"),
        ("Amelia", "Millie"),
        ("Sophia", "Sophie"),
        ("Natalie", "Nat"),
        ("Frances", "Frankie", "Fran"),
        ("Eleanor", "Ellie", "Nell"),
        ("Katarzyna", "Kasia"),
        ("Małgorzata", "Gosia"),
        ("Aleksandra", "Ola"),
        ("Zuzanna", "Zuza"),
        ("Oluwafunmilayo", "Funmilayo", "Funmi"),
        ("Oluwaseun", "Seun"),
        ("Oluwatobi", "Tobi"),
        ("Oluwadamilola", "Damilola", "Dami"),
    ),
}

# Spellings of one name in the Latin alphabet: the same child is Mohammed at the GP,
# Muhammad at school and Mohamed in the police record.
TRANSLITERATION_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mohamad"),
    ("Aisha", "Ayesha", "Aysha", "Aishah"),
    ("Yusuf", "Yousef", "Yousuf", "Yusef", "Youssef"),
    ("Fatima", "Fatimah", "Fatuma", "Fadumo"),
    ("Abdi", "Abdy"),
    ("Ahmed", "Ahmad", "Ahmet"),
    ("Hussain", "Hussein", "Husain", "Hossain"),
    ("Hassan", "Hasan"),
    ("Mustafa", "Mostafa", "Mustapha"),
    ("Ibrahim", "Ebrahim", "Ibraheem"),
    ("Abdullah", "Abdulla", "Abdallah"),
    ("Abdullahi", "Abdillahi"),
    ("Abdirahman", "Abdulrahman", "Abdurahman"),
    ("Khadija", "Khadijah", "Khadeeja"),
    ("Maryam", "Mariam", "Maryum"),
    ("Zainab", "Zaynab", "Zeinab"),
    ("Osman", "Usman", "Uthman"),
    ("Omar", "Umar"),
    ("Hamza", "Hamzah"),
    ("Amina", "Aminah", "Ameena"),
    ("Hawa", "Hawo"),
    ("Sumaya", "Sumaiya", "Sumayyah"),
    ("Zahra", "Zahraa", "Sahra"),
    ("Noor", "Nur", "Nuur"),
    ("Ismail", "Ismael", "Ismaail"),
    ("Yahya", "Yehia"),
    ("Rahman", "Rehman"),
    ("Choudhury", "Chowdhury", "Chaudhry", "Choudhry"),
    ("Mahmood", "Mahmud", "Mehmood", "Mahmoud"),
    ("Siddiqui", "Siddiqi"),
    ("Qureshi", "Kureshi"),
    ("Khalid", "Khaled"),
    ("Yasmin", "Yasmeen", "Yasmine"),
    ("Layla", "Laila", "Leila"),
    ("Tariq", "Tarek"),
    ("Rayyan", "Rayan"),
    ("Zain", "Zayn"),
    ("Sana", "Sanaa"),
    ("Nasra", "Nasrah"),
    ("Hodan", "Hoodo"),
    ("Farah", "Faarah"),
    ("Mohamud", "Mahmud"),
    ("Gurpreet", "Gurprit"),
    ("Harpreet", "Harprit"),
    ("Deepak", "Dipak"),
    ("Sanjay", "Sunjay"),
    ("Mohinder", "Mohinda"),
    ("Priya", "Pria"),
    ("Chen", "Chan"),
    ("Wang", "Wong"),
    ("Li", "Lee"),
    ("Zhou", "Chow"),
    ("Liu", "Lau"),
    ("Zhang", "Cheung", "Chang"),
)


def _variant_index(groups: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for group in groups:
        for name in group:
            index.setdefault(name, [])
            index[name].extend(n for n in group if n != name and n not in index[name])
    return {name: tuple(others) for name, others in index.items()}


#: Sex, then a name -> the other names an agency may have written for it.
NICKNAMES = {sex: _variant_index(groups) for sex, groups in NICKNAME_GROUPS.items()}
TRANSLITERATIONS = _variant_index(TRANSLITERATION_GROUPS)

#: Twins are sometimes given names that a tired receptionist will confuse.
SIMILAR_TWIN_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "M": (
        ("Hassan", "Hussein"),
        ("Hasan", "Husain"),
        ("Jack", "Jake"),
        ("Kai", "Kian"),
        ("Ryan", "Rhys"),
        ("Oliver", "Olly"),
        ("Adam", "Aadam"),
        ("Kwame", "Kwaku"),
        ("Jakub", "Jan"),
    ),
    "F": (
        ("Ella", "Ellie"),
        ("Mia", "Maya"),
        ("Aisha", "Asha"),
        ("Layla", "Lyla"),
        ("Amira", "Amara"),
        ("Hana", "Hanna"),
        ("Zara", "Sara"),
        ("Lily", "Lila"),
    ),
}

#: Street names for Northbrook: stems and the kinds of street.
STREET_STEMS: tuple[str, ...] = tuple(
    """Oak Elm Ash Beech Birch Cedar Chestnut Hawthorn Holly Laurel Linden Maple Poplar
    Rowan Willow Alder Hazel Yew Larch Sycamore Acacia Magnolia Juniper Cherry Blossom
    Northbrook Southfield Westfield Eastwood Brookside Riverside Meadow Orchard Mill
    Station Church Chapel Park Green Manor Grange Priory Abbey Victoria Albert Alexandra
    Windsor Clarence Cambridge Oxford Gloucester Stanley Cromwell Nelson Wellington
    Kingsley Tennyson Shelley Byron Keats Milton Wordsworth Dickens Hardy Austen Bronte
    Elgar Handel Purcell Holst Brunel Faraday Darwin Newton Fleming Seacole Nightingale
    Pankhurst Attlee Bevan Lansbury Tudor Stuart Hanover Essex Kent Sussex Surrey Devon
    Dorset Somerset Cornwall Norfolk Suffolk Heath Common Hill Vale Ridge Fountain Well
    Bridge Canal Lock Wharf Ferry Gate Cross Market Garden Nursery Lime Kiln Brick Tile
    Pottery Forge Tannery Cooper Mason Carter Fletcher Baker Weaver Dyer""".split()
)
STREET_KINDS: tuple[str, ...] = (
    "Road",
    "Road",
    "Road",
    "Avenue",
    "Avenue",
    "Close",
    "Gardens",
    "Way",
    "Lane",
    "Crescent",
    "Drive",
    "Grove",
    "Street",
    "Street",
    "Place",
    "Walk",
    "Rise",
    "Mews",
    "Terrace",
)
ESTATE_BLOCKS: tuple[str, ...] = tuple(
    """Attlee Bevan Lansbury Morrison Keir Hardie Wilson Cripps Dalton Bondfield Wilkinson
    Summerskill Lister Fleming Jenner Harvey Brunel Telford Stephenson Arkwright""".split()
)
#: Hostels and bed-and-breakfasts used as temporary accommodation.
TEMPORARY_ACCOMMODATION: tuple[str, ...] = (
    "Northbrook Lodge",
    "Station Road Hostel",
    "The Limes B&B",
    "Riverside House",
    "Kingsley Court (emergency accommodation)",
    "Victoria Hotel",
)
